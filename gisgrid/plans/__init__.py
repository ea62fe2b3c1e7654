"""年度日常监管工作计划: a grid's yearly supervision plan, filed upward, with its execution computed from the data."""
