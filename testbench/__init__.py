"""cocotb testbenches (``tb_<stem>.py``) and their shared driver, monitor and checker."""
