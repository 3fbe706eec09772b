// `wirebook glossary [--markdown]`: every protocol and field Wirebook knows, from the registry. By default one line
// each in the style of `tshark -G fields` (P and F lines, tab-separated); --markdown writes the field reference
// (what docs/fields.md holds).

import { fieldReferenceMarkdown, glossaryLines } from "../lib/dissectors/field-reference.js";

export async function runGlossaryCommand(argv: string[]): Promise<number> {
  const markdown = argv.includes("--markdown");
  const unknown = argv.filter((a) => a !== "--markdown");
  if (unknown.length > 0) {
    process.stderr.write(`wirebook glossary: unexpected argument '${unknown[0]}'\nusage: wirebook glossary [--markdown]\n`);
    return 2;
  }
  const text = markdown ? fieldReferenceMarkdown() : glossaryLines().join("\n") + "\n";
  // A reader that goes away (EPIPE, under `| head`) ends the output quietly, as tshark does.
  return new Promise((done) => {
    process.stdout.once("error", (e: NodeJS.ErrnoException) => done(e.code === "EPIPE" ? 0 : 1));
    process.stdout.write(text, () => done(0));
  });
}
