import { defineConfig } from 'vitest/config';

// No @vitejs/plugin-react: esbuild's automatic JSX runtime is all the
// console needs (no fast refresh in dev, which the tests do not use).
export default defineConfig({
  esbuild: { jsx: 'automatic' },
  base: './',
  build: { outDir: 'dist', sourcemap: false, target: 'es2022' },
  server: {
    // `npm run dev` against a running `make local`: VITE_API=http://127.0.0.1:PORT
    proxy: process.env.VITE_API ? { '/v1': process.env.VITE_API } : undefined,
  },
  test: { environment: 'node', include: ['src/**/*.test.ts'] },
});
