DROP TABLE report_years;
