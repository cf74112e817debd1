"""``make fuzz``: every reader of outside input, fed generated hostile input, must refuse cleanly and in time.

Each parser (:mod:`bench.fuzz.targets`) gets cases from a seeded generator
(:mod:`bench.fuzz.inputs`): valid documents (the samples, the archive fixtures,
synthetic ones) with hostile mutations mixed in — runs of the constructs that
make parsers backtrack or nest (``[`` and ``*a **a``, whitespace, ``[caption]``,
unclosed ``<!-- wp:``, a title repeating a word, deep ``[[[``), odd values in
every field (year 1, a lone surrogate, a 5,000-digit number, YAML aliases and
tags), undeclared XML prefixes, entity bombs, flipped and truncated bytes.

For each case the harness (:mod:`bench.fuzz.__main__`) records the CPU time of
this process (``time.process_time``, robust to other load on the machine) and
the outcome: read, refused with the parser's documented error, or **escaped**
(any other exception: a bug). A case is **over budget** when it costs more than
:data:`bench.fuzz.targets.budget` (1 s, or 20 µs a byte for inputs over 50 KB:
linear, so a quadratic path shows); a case over budget is run again, and if it
is within budget the second time the cost was a library's one-time start-up
(dateparser loading its locales), reported apart. Case ``i`` of a parser is generated from
``(seed, parser, i)`` alone, so ``--case i`` replays it.
"""
