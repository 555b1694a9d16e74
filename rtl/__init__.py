"""Amaranth components of hwsim's hardware blocks, parametrized by hwsim's spec objects.

Each ``rtl/<stem>.py`` defines its component(s) and a ``BLOCK`` descriptor
(:class:`hwsim.rtlflow.blocks.RtlBlock`) registered in ``hwsim.rtlflow.blocks.RTL_BLOCKS``.
"""
