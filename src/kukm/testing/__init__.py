"""Tools for integrators and property-based test suites: hypothesis strategies,
storage conformance suites, a pytest plugin, and an ODS-like reference server."""
