-- Floats print as PostgreSQL's shortest output (Ryū, as in float_to_shortest_decimal):
-- exact ties go to the even digit, boundary decimals are never taken.
SELECT '[3.37890625]'::halfvec AS h, 3.30078125::real AS r, '[3e10]'::vector AS v;
SELECT '[1.5,-0.000123,65504,0.00006103515625]'::halfvec;
SELECT '[123456,1234567,0.0001,0.00001,1e-45,3.4028235e38]'::vector;
SELECT 1e15::float8 AS a, 1e16::float8 AS b, 123456789012345::float8 AS c, 1e-4::float8 AS d, 1e-5::float8 AS e, 0.1::float8 + 0.2 AS f;
SELECT 100000::real AS a, 1000000::real AS b, 16777217::real AS c, 1e-5::real AS d, 3e10::real AS e, 123456789012::real AS f;
SELECT '[1,2,3]'::halfvec * '[0.333,1.1,2.2]' AS product, l2_normalize('[3,4,5]'::vector) AS normalized;
