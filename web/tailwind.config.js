/** @type {import('tailwindcss').Config} */
export default {
  // Dark mode by class so the toggle can override prefers-color-scheme (see src/lib/theme.ts).
  darkMode: "class",
  content: ["./index.html", "./src/**/*.{ts,tsx}"],
  theme: {
    extend: {},
  },
  plugins: [],
};
