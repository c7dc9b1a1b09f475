/** The `stratus` command line. Subcommands are added as the layers below them land. */
export async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  process.stderr.write(`stratus: unknown command '${command ?? ""}'. Try: stratus dev\n`);
  return 2;
}
