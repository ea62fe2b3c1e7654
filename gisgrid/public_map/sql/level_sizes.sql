-- Per level: grid count and typical width in metres (sqrt of the mean area), to pick levels per zoom.
SELECT level, count(*) AS n, sqrt(avg(area_m2)) AS width_m
FROM public_grid WHERE version_id = :version_id
GROUP BY level ORDER BY level
