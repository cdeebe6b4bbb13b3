"""Codes reported by the parser (SY), the spec builder (SP) and suppression
handling (SU). They are not checks, but users meet them in the output, so
they are documented and explained like every rule.
"""

from __future__ import annotations

from ftspec.diagnostics import Severity
from ftspec.rules.base import reported

E, W = Severity.ERROR, Severity.WARNING

REPORTED = [
    reported("SY001", "syntax.invalid-syntax", E, """
        ## What it does
        Reports text that does not fit the grammar of a .ftspec file.

        ## Why is this bad?
        Nothing after a syntax error can be read with confidence, so no other
        check runs on the file.

        ## Example
        ```
        adapter lora { targets = [q_proj v_proj] }
        ```

        ## Use instead
        ```
        adapter lora { targets = [q_proj, v_proj] }
        ```

        ## References
        - docs/language.md
    """),
    reported("SY002", "syntax.unclosed", E, """
        ## What it does
        Reports a block `{`, list `[` or argument list `(` that is never closed.

        ## Why is this bad?
        Everything after the opening bracket would belong to it. The message
        names the block and where it was opened; when a later block is
        indented as its sibling, the help says where the `}` is probably missing.

        ## Example
        ```
        adapter lora {
          r = 16
        training { epochs = 3 }
        ```

        ## Use instead
        ```
        adapter lora {
          r = 16
        }
        training { epochs = 3 }
        ```

        ## References
        - docs/language.md
    """),
    reported("SY003", "syntax.unterminated-string", E, """
        ## What it does
        Reports a string whose closing quote is missing.

        ## Why is this bad?
        A `"..."` string ends on its line; text over several lines needs `\"\"\"...\"\"\"`.

        ## Example
        ```
        data { system = "You route messages }
        ```

        ## Use instead
        ```
        data { system = "You route messages" }
        ```

        ## References
        - docs/language.md
    """),
    reported("SY004", "syntax.invalid-character", E, """
        ## What it does
        Reports a character the language does not use here, such as `;`, `'` or `@`.

        ## Why is this bad?
        It usually comes from another format's habits (YAML, JSON, Python).

        ## Example
        ```
        training { epochs = 3; }
        ```

        ## Use instead
        ```
        training { epochs = 3 }
        ```

        ## References
        - docs/language.md
    """),
    reported("SY005", "syntax.missing-value", E, """
        ## What it does
        Reports `name =` with no value after it.

        ## Why is this bad?
        The next line would otherwise be read as the value.

        ## Example
        ```
        training {
          learning_rate =
          epochs = 3
        }
        ```

        ## Use instead
        ```
        training {
          learning_rate = 2e-4
          epochs = 3
        }
        ```

        ## References
        - docs/language.md
    """),
    reported("SY006", "syntax.missing-equals", E, """
        ## What it does
        Reports a name that is neither `name = value` nor `name { ... }`.

        ## Why is this bad?
        Usually an `=` is missing, or `:` was written for `=`.

        ## Example
        ```
        task "router" { kind: classification }
        ```

        ## Use instead
        ```
        task "router" { kind = classification }
        ```

        ## References
        - docs/language.md
    """),
    reported("SY007", "syntax.invalid-escape", E, """
        ## What it does
        Reports an unknown escape sequence in a string.

        ## Why is this bad?
        Only `\\n`, `\\t`, `\\r`, `\\"`, `\\\\`, `\\0` and `\\uXXXX` mean something; anything
        else is almost always a Windows path or a regex that needs doubled backslashes.

        ## Example
        ```
        task "t" { output = regex("\\d+") }
        ```

        ## Use instead
        ```
        task "t" { output = regex("\\\\d+") }
        ```

        ## References
        - docs/language.md
    """),
    reported("SY008", "syntax.unmatched-closer", E, """
        ## What it does
        Reports a `}` with no open block.

        ## Why is this bad?
        A block was closed twice, or an opening line was deleted.

        ## Example
        ```
        model { base = "m" }
        }
        ```

        ## Use instead
        ```
        model { base = "m" }
        ```

        ## References
        - docs/language.md
    """),
    reported("SY009", "syntax.bad-version-line", E, """
        ## What it does
        Reports a malformed version line.

        ## Why is this bad?
        The version line says which edition of the language the file is written
        in, so that later editions can change the language without breaking it.

        ## Example
        ```
        ftspec 1.0
        ```

        ## Use instead
        ```
        ftspec 1
        ```

        ## References
        - docs/language.md
    """),
    reported("SY010", "syntax.encoding", E, """
        ## What it does
        Reports a file that is not UTF-8 text, with the line, column and byte offset
        of the first bad byte.

        ## Why is this bad?
        Specs are read as UTF-8; anything else is ambiguous.

        ## Example
        A spec saved as Latin-1 with `é` in a string.

        ## Use instead
        Save the file as UTF-8.

        ## References
        - docs/language.md
    """),
    reported("SP001", "spec.unknown-key", E, """
        ## What it does
        Reports a key or block the language does not have, with the closest known name.

        ## Why is this bad?
        A misspelt key would otherwise be ignored and its default used silently
        (`learning_rat = 1e-5` would train at the default learning rate).

        ## Example
        ```
        training { learning_rat = 1e-5 }
        ```

        ## Use instead
        ```
        training { learning_rate = 1e-5 }
        ```

        ## References
        - docs/language.md
    """),
    reported("SP002", "spec.wrong-type", E, """
        ## What it does
        Reports a value of the wrong type or not among the allowed choices, at the value.

        ## Why is this bad?
        The compiled training script would receive a value it cannot use.

        ## Example
        ```
        adapter lora { r = "16" }
        ```

        ## Use instead
        ```
        adapter lora { r = 16 }
        ```

        ## References
        - docs/language.md
    """),
    reported("SP003", "spec.out-of-range", E, """
        ## What it does
        Reports a number outside the range that makes sense for it (a dropout of 1.5,
        a warmup of 150%).

        ## Why is this bad?
        Such values are not a matter of taste: training would fail or be meaningless.
        (The guide's recommended ranges are checked by rules, as warnings.)

        ## Example
        ```
        adapter lora { dropout = 1.5 }
        ```

        ## Use instead
        ```
        adapter lora { dropout = 0.05 }
        ```

        ## References
        - docs/language.md
    """),
    reported("SP004", "spec.duplicate", E, """
        ## What it does
        Reports a key or block given twice in the same place.

        ## Why is this bad?
        Which one wins is a guess for the reader; a reviewer may read the wrong one.

        ## Example
        ```
        training { epochs = 3  epochs = 5 }
        ```

        ## Use instead
        ```
        training { epochs = 3 }
        ```

        ## References
        - docs/language.md
    """),
    reported("SP005", "spec.missing", E, """
        ## What it does
        Reports a required block or key that is missing (`task`, `data`, `model`,
        `data.train`, `model.base`, a block label).

        ## Why is this bad?
        There is no sensible default for what to train on or which model to adapt.

        ## Example
        ```
        model { }
        ```

        ## Use instead
        ```
        model { base = "HuggingFaceTB/SmolLM2-135M-Instruct" }
        ```

        ## References
        - docs/language.md
    """),
    reported("SP006", "spec.bad-label", E, """
        ## What it does
        Reports a block label where none belongs, or more than one.

        ## Why is this bad?
        Only `task "name"` and `adapter lora|qlora|full` take a label, and only one.

        ## Example
        ```
        model "small" { base = "m" }
        ```

        ## Use instead
        ```
        model { base = "m" }
        ```

        ## References
        - docs/language.md
    """),
    reported("SP007", "spec.version", E, """
        ## What it does
        Reports a missing version line or a version this ftspec does not read.

        ## Why is this bad?
        Without it a future ftspec cannot tell which edition of the language a
        file was written for.

        ## Example
        ```
        task "t" { kind = style }
        ```

        ## Use instead
        ```
        ftspec 1
        task "t" { kind = style }
        ```

        ## References
        - docs/language.md
    """),
    reported("SP008", "spec.invalid-value", E, """
        ## What it does
        Reports a value of the right type whose form the language does not know: a
        word it does not expect in a several-word value, an unknown data source, a
        source without a path, a task name that cannot name a folder.

        ## Why is this bad?
        Such a value cannot be read unambiguously; guessing would train on the wrong thing.

        ## Example
        ```
        data { train = parquet("train.parquet")  validation = 15% stratifed }
        ```

        ## Use instead
        ```
        data { train = jsonl("train.jsonl")  validation = 15% stratified }
        ```

        ## References
        - docs/language.md
    """),
    reported("SP009", "spec.misplaced", E, """
        ## What it does
        Reports an item outside the block it belongs to, such as an `accept` criterion
        outside `eval`.

        ## Why is this bad?
        An acceptance criterion outside `eval` would be silently ignored.

        ## Example
        ```
        accept fine_tuned.accuracy >= 0.9
        ```

        ## Use instead
        ```
        eval { accept fine_tuned.accuracy >= 0.9 }
        ```

        ## References
        - docs/language.md
    """),
    reported("DA006", "data.unreadable", E, """
        ## What it does
        Reports a file the data checks need and cannot read, such as the JSON Schema named
        by `output = json_schema("...")`; the data checks do not run without it.

        ## Why is this bad?
        Replies cannot be checked against a schema that cannot be read, and training would
        fail on it later.

        ## Example
        ```
        task "t" { kind = extraction  output = json_schema("schemas/invocie.json") }
        ```

        ## Use instead
        ```
        task "t" { kind = extraction  output = json_schema("schemas/invoice.json") }
        ```

        ## References
        - docs/data-checks.md
    """),
    reported("SU001", "suppression.missing-reason", W, """
        ## What it does
        Reports `# ftspec: ignore CODE` without a reason after the code.

        ## Why is this bad?
        A suppression overrides the guide; the next reader needs to know why.

        ## Example
        ```
        adapter lora { r = 128 }  # ftspec: ignore AD001
        ```

        ## Use instead
        ```
        adapter lora { r = 128 }  # ftspec: ignore AD001 long documents need the capacity (eval run 14)
        ```

        ## References
        - docs/rules.md, Suppressing a finding
    """),
    reported("SU002", "suppression.unused", W, """
        ## What it does
        Reports a suppression that suppresses nothing on its line, or names an unknown code.

        ## Why is this bad?
        Stale suppressions hide the next real finding on that line.

        ## Example
        ```
        training { epochs = 3 }  # ftspec: ignore HP001 we need many epochs
        ```

        ## Use instead
        ```
        training { epochs = 3 }
        ```

        ## References
        - docs/rules.md, Suppressing a finding
    """),
]
