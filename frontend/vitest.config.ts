import { defineConfig, mergeConfig } from 'vitest/config';
import { svelteTesting } from '@testing-library/svelte/vite';
import viteConfig from './vite.config';

export default mergeConfig(
  viteConfig,
  defineConfig({
    // svelteTesting resolves Svelte's browser build and cleans up mounted components after each test.
    plugins: [svelteTesting()],
    test: {
      environment: 'happy-dom',
      include: ['src/**/*.test.ts'],
      // Each test starts with empty call history on the shared api mock.
      clearMocks: true,
    },
  }),
);
