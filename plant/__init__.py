"""The plant: the ISA-95 asset tree (site → area → line → cell/machine), tags, connectors."""
