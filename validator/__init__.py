"""ogi-validator: checks 政府信息公开工作年度报告 against the official templates and their rules."""

__version__ = "0.1.0"
