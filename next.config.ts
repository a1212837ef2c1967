// Next.js config for the Meshlens dashboard (app/, components/, lib/). The agent has its own esbuild build.
import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Server-side HTTP clients stay plain Node modules rather than being bundled.
  serverExternalPackages: ['prometheus-query'],
  // The repo root also holds the agent (proxy-agent/) — keep Next's file tracing on this checkout.
  outputFileTracingRoot: import.meta.dirname,
  // `next build` type-checks the dashboard only (app/, components/, lib/); `npm run typecheck` checks
  // the whole repository, the agent included.
  typescript: { tsconfigPath: 'tsconfig.dashboard.json' },
};

export default nextConfig;
