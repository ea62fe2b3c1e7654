-- Copy every grid of :source_id (with its staff) into the new version :new_id; build_version links them.
INSERT INTO grid (version_id, code, name, level, parent_code, geom, area_m2, entity, leader_name, leader_title,
                  leader_phone, leader_phone_public, contact_phone, contact_phone_public, duties, sample_data, extra)
SELECT :new_id, code, name, level, parent_code, geom, area_m2, entity, leader_name, leader_title,
       leader_phone, leader_phone_public, contact_phone, contact_phone_public, duties, sample_data, extra
FROM grid WHERE version_id = :source_id;

INSERT INTO grid_staff (grid_id, position, name, role, phone, phone_public)
SELECT n.id, s.position, s.name, s.role, s.phone, s.phone_public
FROM grid_staff s
JOIN grid o ON o.id = s.grid_id AND o.version_id = :source_id
JOIN grid n ON n.version_id = :new_id AND n.code = o.code;
