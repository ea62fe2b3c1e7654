"""The field app (外业移动端): an installable web app for grid staff — patrol, report, inspect, 待办, offline."""
