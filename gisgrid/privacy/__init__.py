"""Reporters' personal information (个人信息保护): masking, audited unmasking and export, retention."""
