-- The birth dates too common to be anyone's own (temp table `common_birth_dates`): given by
-- more than $most customers of a type in `blocking_customers` and by more than $times times
-- as many as the type's dates on average, when the model is fitted ($frozen false), else
-- those kept with the model (match_common_birth_dates), so that a pair compares the same
-- whenever it is compared (migration 0011). A real date of birth is about as common as its
-- neighbours; a form's default ("1900-01-01") stands out.
CREATE OR REPLACE TEMP TABLE common_birth_dates AS
SELECT customer_type, birth_date, customers FROM match_common_birth_dates WHERE $frozen
UNION ALL
SELECT customer_type, birth_date, customers
FROM (
    SELECT customer_type, birth_date, count(*) AS customers,
           sum(count(*)) OVER (PARTITION BY customer_type) / count(*) OVER (PARTITION BY customer_type) AS average
    FROM blocking_customers
    WHERE NOT $frozen AND birth_date IS NOT NULL
    GROUP BY customer_type, birth_date
)
WHERE customers > greatest($most, $times * average);
