import { App, type AppProps } from "aws-cdk-lib";

/**
 * An App for assertion tests. aws-cdk-lib validates every template with its built-in CloudFormation validator
 * at synth, which costs tens of seconds per app on this machine; unit tests turn it off (CDK_VALIDATION=false,
 * the documented switch) and test/cdk/cdk-synth.test.ts runs `cdk synth` once with it on and checks its report.
 */
export function testApp(options: AppProps = {}): App {
  process.env.CDK_VALIDATION = "false";
  return new App(options);
}
