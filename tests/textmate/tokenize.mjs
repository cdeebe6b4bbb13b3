// Tokenises text with a TextMate grammar through vscode-textmate and
// vscode-oniguruma, the engine VS Code itself runs. Used by tests/test_textmate.py.
//
//   node tokenize.mjs GRAMMAR.json < request.json > tokens.json
//
// request.json: {"files": [{"name": "...", "text": "..."}, ...]}
// tokens.json:  {"scopeName": "...", "regexErrors": [{"regex", "error"}, ...],
//               "files": [{"name": "...", "lines": [[{"text", "scopes"}, ...], ...],
//                          "stoppedEarly": [LINE, ...], "error": null or "..."}, ...]}
// Lines are split on \n (a trailing \r is dropped, as editors do); a line's tokens
// cover it exactly, an empty line has none. A line whose tokenisation hits the time
// limit is listed in stoppedEarly (1-based). regexErrors lists every match, begin,
// end and while pattern of the grammar that Oniguruma refuses to compile (the engine
// itself compiles them lazily, only when a rule is first tried).

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

import oniguruma from "vscode-oniguruma";
import vsctm from "vscode-textmate";

// Per line. The files are tokenised twice, and only the second pass is timed, so that the
// engine's warm-up (compiling patterns, JIT) does not count against the first lines.
const TIME_LIMIT_MS = 1000;

const grammarPath = process.argv[2];
if (!grammarPath) {
  process.stderr.write("usage: node tokenize.mjs GRAMMAR.json < request.json\n");
  process.exit(2);
}
const grammarText = readFileSync(grammarPath, "utf8");
const scopeName = JSON.parse(grammarText).scopeName;
const request = JSON.parse(readFileSync(0, "utf8"));

const require = createRequire(import.meta.url);
const wasm = readFileSync(join(dirname(require.resolve("vscode-oniguruma")), "onig.wasm"));
await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));

const registry = new vsctm.Registry({
  onigLib: Promise.resolve({
    createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
    createOnigString: (s) => new oniguruma.OnigString(s),
  }),
  loadGrammar: async (name) => (name === scopeName ? vsctm.parseRawGrammar(grammarText, grammarPath) : null),
});
const grammar = await registry.loadGrammar(scopeName);
if (!grammar) {
  process.stderr.write(`grammar ${scopeName} did not load\n`);
  process.exit(1);
}

const regexErrors = [];
(function collect(node) {
  if (Array.isArray(node)) return node.forEach(collect);
  if (node === null || typeof node !== "object") return;
  for (const [key, value] of Object.entries(node)) {
    if (["match", "begin", "end", "while"].includes(key) && typeof value === "string") {
      try {
        new oniguruma.OnigScanner([value]).dispose();
      } catch (error) {
        regexErrors.push({ regex: value, error: String(error) });
      }
    } else {
      collect(value);
    }
  }
})(JSON.parse(grammarText));

function tokenize(text, timeLimit = TIME_LIMIT_MS) {
  let ruleStack = vsctm.INITIAL;
  const stoppedEarly = [];
  const lines = text.split("\n").map((raw, i) => {
    const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    const result = grammar.tokenizeLine(line, ruleStack, timeLimit);
    if (result.stoppedEarly) stoppedEarly.push(i + 1);
    ruleStack = result.ruleStack;
    // The engine sees the line with a "\n" appended: the last token may end past it.
    return result.tokens
      .map((t) => ({ text: line.slice(t.startIndex, Math.min(t.endIndex, line.length)), scopes: t.scopes }))
      .filter((t) => t.text.length > 0);
  });
  return { lines, stoppedEarly };
}

const files = request.files.map(({ name, text }) => {
  try {
    tokenize(text, 0); // the warm-up pass, untimed
    return { name, ...tokenize(text), error: null };
  } catch (error) {
    return { name, lines: [], stoppedEarly: [], error: String(error) };
  }
});

process.stdout.write(JSON.stringify({ scopeName, regexErrors, files }));
