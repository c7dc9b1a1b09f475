import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Fetches the Apache RocketMQ jars and compiles the Java scenarios when test/compat is in the run.
    globalSetup: ["test/setup/compat-global-setup.ts"],
  },
});
