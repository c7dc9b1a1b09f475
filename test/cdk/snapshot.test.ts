/**
 * The whole deployment's templates, pinned. A change here is a change to what `cdk deploy` does: review the diff,
 * then update with `npx vitest run test/cdk/snapshot.test.ts -u`. The image is a fixed URI so the snapshot does
 * not move with every source change (the Dockerfile asset is covered in cluster-stack.test.ts), and asset hashes
 * are masked.
 */
import { Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { readAppConfig } from "../../cdk/app-config.js";
import { buildStratusApp } from "../../cdk/stratus-app.js";
import { testApp } from "./support/test-app.js";

describe("the Stratus deployment", () => {
  it("matches the reviewed templates", () => {
    // GIVEN the default context with a prebuilt image
    const app = testApp({ analyticsReporting: false });
    const built = buildStratusApp(app, readAppConfig({ imageUri: "public.ecr.aws/example/stratus:0.1.0" }));
    // WHEN both stacks are synthesized
    const storage = Template.fromStack(built.storage).toJSON();
    const cluster = Template.fromStack(built.clusters.get("stratus") ?? built.storage).toJSON();
    // THEN they are what was last reviewed (the admin function's code asset hash moves with every source change)
    const normalized = JSON.parse(
      JSON.stringify({ storage, cluster }).replace(/[0-9a-f]{64}/g, "<asset-hash>"),
    );
    expect(normalized).toMatchSnapshot();
  }, 120_000);
});
