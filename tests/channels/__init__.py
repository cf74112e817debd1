"""Channel adapters against real loopback fakes of each platform."""
