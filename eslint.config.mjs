// ESLint flat config: typescript-eslint (type-aware) plus Pulumi's own rules, which catch
// `Output<T>` values interpolated into plain template literals.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import pulumi from "@pulumi/eslint-plugin";

export default tseslint.config(
  {
    ignores: [
      ...["node_modules/**", "bin/**", "out/**", "dist/**", "coverage/**", "**/*.js", "**/*.mjs"],
      // The scratch program of the package test: it imports "cross-account-irsa", which resolves only
      // where the test installs the packed tarball (and is type-checked there, with tsc).
      "tests/package/consumer/**",
      // The library's examples import "cross-account-irsa" too: tests/package/tarball.test.ts type-checks
      // them (tsc, strict) against the packed tarball and runs them under mocks.
      "examples/library/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { "@pulumi": pulumi },
    rules: {
      "@pulumi/no-output-in-template-literal": "error",
      "@pulumi/no-output-instance-in-template-literal": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      "@typescript-eslint/no-floating-promises": "error",
      eqeqeq: ["error", "always"],
    },
  },
  {
    files: ["tests/**/*.ts", "bench/**/*.ts"],
    rules: {
      // chai's `expect(x).to.be.true` style is an expression statement by design.
      "@typescript-eslint/no-unused-expressions": "off",
    },
  },
);
