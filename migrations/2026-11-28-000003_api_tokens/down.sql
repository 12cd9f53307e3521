DROP TABLE api_token_departments;
DROP TABLE api_tokens;
