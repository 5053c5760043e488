"""kukm's own adapters. Each module is a pluggy plugin registered through the
``kukm`` entry-point group, exactly as a third-party package's would be."""
