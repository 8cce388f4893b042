// Builds web/static/widget.js from web/src/widget/ (`make web` runs it):
// one IIFE script, so the embed snippet stays a single <script> tag.
//   node web/build.mjs [--outfile PATH]   (default: web/static/widget.js)
// tests/unit/test_widget_build.py rebuilds into a temporary file and compares.
import { build } from "esbuild";
import { parseArgs } from "node:util";
import path from "node:path";
import { fileURLToPath } from "node:url";

const web = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({ options: { outfile: { type: "string" } } });

await build({
  absWorkingDir: path.dirname(web), // paths in the output's comments are relative to the repository
  entryPoints: ["web/src/widget/main.js"],
  outfile: values.outfile ? path.resolve(values.outfile) : path.join(web, "static", "widget.js"),
  bundle: true,
  format: "iife",
  platform: "browser",
  target: "es2018",
  minify: false, // readable in the browser's developer tools
  legalComments: "inline",
  charset: "utf8", // keep "—" and "…" as they are in the sources
  banner: { js: "/* generated from web/src by make web — edit the sources (web/src/widget/), not this file */" },
  logLevel: "warning",
});
