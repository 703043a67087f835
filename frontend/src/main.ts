import { mount } from 'svelte';
import './app.css';
import App from './App.svelte';
import { takeToken } from './lib/api';

// Before anything fetches: the token moves from the address bar into the tab.
takeToken();

const target = document.getElementById('app');
if (!target) throw new Error('missing #app element');

export default mount(App, { target });
