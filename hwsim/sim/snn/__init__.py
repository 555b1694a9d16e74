"""Spiking-network accelerator engine: activity from the functional model, cycles from the core block."""
