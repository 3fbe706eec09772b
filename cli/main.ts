// `wirebook` command line: dispatches a sub-command. Every command returns its exit code.

import { runInfoCommand, runStartCommand } from "./info-cmd.js";

const USAGE = `usage: wirebook <command> [options]

commands:
  info CAPTURE…                 summary of captures (capinfos + protocol hierarchy)
  samples                       summarise the bundled sample captures
  fields CAPTURE [-Y FILTER] -e FIELD …   one line a frame, like tshark -T fields
  count CAPTURE -Y FILTER       number of frames a display filter selects
  glossary [--markdown]         every protocol and field (like tshark -G fields), or the Markdown field reference
  kernel -f CONNECTION_FILE     run the Jupyter kernel
  install [--user|--sys-prefix|--prefix DIR]   install the Jupyter kernelspec
  run NOTEBOOK.ipynb [-p NAME=VALUE …] [--html OUT.html] [--out EXECUTED.ipynb]
                                execute a notebook through the kernel and write an offline HTML report
  start                         run the bundled investigations into reports/*.html
`;

type Command = (argv: string[]) => Promise<number>;

/** Sub-commands load lazily so `wirebook info` does not pay for the kernel's dependencies. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  info: async () => runInfoCommand,
  start: async () => { const { runStartNotebooks } = await import("./run-cmd.js"); return () => runStartNotebooks(); },
  samples: async () => runStartCommand,
  run: async () => (await import("./run-cmd.js")).runRunCommand,
  fields: async () => (await import("./fields-cmd.js")).runFieldsCommand,
  count: async () => (await import("./count-cmd.js")).runCountCommand,
  glossary: async () => (await import("./glossary-cmd.js")).runGlossaryCommand,
  kernel: async () => (await import("./kernel-cmd.js")).runKernelCommand,
  install: async () => (await import("./install-cmd.js")).runInstallCommand,
};

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === "-h" || name === "--help") {
    process.stdout.write(USAGE);
    return name ? 0 : 2;
  }
  const load = COMMANDS[name];
  if (!load) {
    process.stderr.write(`wirebook: unknown command '${name}'\n${USAGE}`);
    return 2;
  }
  return (await load())(rest);
}
