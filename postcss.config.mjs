// Tailwind CSS v4 through its PostCSS plugin (the CSS entry is app/globals.css).
export default {
  plugins: { '@tailwindcss/postcss': {} },
};
