"""Design-space exploration: sweep files, design points, executors, the results store, Pareto fronts.

``hwsim.dse.runner.run_sweep`` is what ``hwsim sweep`` calls; see docs/dse.md.
"""
