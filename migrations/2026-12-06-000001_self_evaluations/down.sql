DROP TABLE self_evaluation_actions;
DROP TABLE self_evaluation_scores;
DROP TABLE self_evaluations;
DROP TABLE maturity_levels;
