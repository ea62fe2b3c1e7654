"""考评: evaluation rounds, self-evaluation forms reviewed by the upper grid, rankings, 监督员绩效考核."""
