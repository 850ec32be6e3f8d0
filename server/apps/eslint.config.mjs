// The views' lint (`cargo xtask lint`): ESLint's and typescript-eslint's recommended rules over
// the views, the test harness and the build script. The type checks are tsc's (`cargo xtask
// apps --check`); the generated result types are the server's and are not linted.
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "src/generated/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Node scripts; the harness's functions passed to page.evaluate run in the page.
    files: ["build.mjs", "harness/**/*.mjs"],
    languageOptions: {
      globals: Object.fromEntries(
        ["console", "process", "URL", "setTimeout", "clearTimeout", "Buffer", "fetch"]
          .concat(["window", "document", "getComputedStyle"])
          .map((name) => [name, "readonly"]),
      ),
    },
  },
);
