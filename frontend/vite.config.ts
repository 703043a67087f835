import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// `wails build` runs `npm run build` and embeds dist/; `wails dev` runs `npm run dev`.
// public/.gitkeep is copied into dist/ on every build, so emptying dist/ keeps the
// committed dist/.gitkeep that main.go's embed needs on a fresh clone.
export default defineConfig({
  plugins: [svelte()],
});
