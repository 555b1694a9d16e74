"""Roofline models of CPU and GPU baselines for Transformer workloads."""
