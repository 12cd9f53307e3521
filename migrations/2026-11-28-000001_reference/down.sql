DROP TABLE themes;
DROP TABLE departments;
DROP TABLE criteria;
DROP TABLE domains;
DROP DOMAIN slug;
