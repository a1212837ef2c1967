// Root layout: theme bootstrap, header with the main navigation, react-query providers.
import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import { Header } from '@/components/ui/header';
import { THEME_BOOTSTRAP_SCRIPT } from '@/lib/ui/theme-script';
import { Providers } from './providers';
import './globals.css';

export const metadata: Metadata = {
  title: 'Meshlens',
  description: 'Service-mesh observability: the live service graph, retries, ejections and traces',
  // public/icon.svg: the mark, also the header's logo (one file, open without a session).
  icons: { icon: '/icon.svg' },
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en" suppressHydrationWarning>
      <head>
        {/* Sets the theme class before first paint so the page does not flash the wrong theme. */}
        {/* biome-ignore lint/security/noDangerouslySetInnerHtml: a constant script of ours, no user input */}
        <script dangerouslySetInnerHTML={{ __html: THEME_BOOTSTRAP_SCRIPT }} />
      </head>
      <body className="flex h-full flex-col bg-white text-slate-900 antialiased dark:bg-slate-950 dark:text-slate-100">
        <Providers>
          <Header />
          <main className="flex min-h-0 flex-1 flex-col">{children}</main>
        </Providers>
      </body>
    </html>
  );
}
