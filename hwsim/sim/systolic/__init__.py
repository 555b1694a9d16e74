"""Systolic-array engine (family ``systolic``): OS, WS and IS from one parameterized model."""
