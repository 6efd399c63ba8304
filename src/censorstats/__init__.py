"""censorstats: traceable tables and figures of China's campaigns against online accounts."""

__version__ = "0.1.0"
