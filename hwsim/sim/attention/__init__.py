"""FPGA Transformer accelerator with top-k sparse attention: blocks, stage costs, pipeline."""
