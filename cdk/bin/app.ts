/**
 * The CDK app: `cd cdk && npx cdk synth` (offline: no credentials, no lookups) or `npx cdk deploy --all`.
 * Settings come from context; see cdk/app-config.ts and the README's Deploy section.
 */
import { App } from "aws-cdk-lib";
import { readAppConfig } from "../app-config.js";
import { buildStratusApp } from "../stratus-app.js";

const app = new App();
const config = readAppConfig(app.node.getAllContext());
const account = process.env.CDK_DEFAULT_ACCOUNT;
const region = process.env.CDK_DEFAULT_REGION;
// Environment-agnostic unless an existing VPC must be looked up.
buildStratusApp(app, config, config.vpcId === undefined ? undefined : { account, region });
app.synth();
