"""Archives: importing legacy material (``newsroom import-archive``) into day partitions, and backfilling them."""
