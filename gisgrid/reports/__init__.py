"""信息报告: periodic work reports (月报/季报/年报) generated from the data, edited, submitted upward."""
