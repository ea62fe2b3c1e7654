"""专项行动 / 联合执法 campaigns: 行动方案, period, lead grid, departments, target area and sources, tasks, results."""
