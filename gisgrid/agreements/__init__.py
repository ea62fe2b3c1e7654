"""责任状: responsibility agreements signed between an upper grid and a lower grid or a department for a year."""
