"""Helpers shared by several test modules: platform fakes, channel posts and adapters, distribution fixtures."""
