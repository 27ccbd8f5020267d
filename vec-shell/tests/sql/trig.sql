-- Trigonometric functions on double precision, integers and numerics taking the implicit cast
SELECT sin(1) AS sin, cos(1.0) AS cos, tan(0.5) AS tan, cot(1) AS cot;
SELECT asin(0.5) AS asin, acos(-1) AS acos, atan(1) AS atan, atan2(1, 2) AS atan2;
SELECT sind(30) AS sind, cosd(60) AS cosd, tand(45) AS tand, cotd(45) AS cotd, asind(1) AS asind, acosd(0.5) AS acosd, atand(1) AS atand, atan2d(1, 1) AS atan2d;
SELECT sinh(1) AS sinh, cosh(0) AS cosh, tanh(0.5) AS tanh, degrees(pi()) AS degrees, radians(180) AS radians;
SELECT sin('NaN'::float8) AS nan_sin, asin(NULL) AS null_asin;
SELECT asin(2);
SELECT cos('Infinity'::float8);
SELECT round(sin(g)::numeric, 6) AS wave FROM generate_series(0, 3) g;
SELECT x, sind(x) AS sind, cosd(x) AS cosd, tand(x) AS tand, cotd(x) AS cotd FROM (VALUES (0), (10), (45), (100), (-200), (390), (720.5)) v(x);
SELECT x, asind(x) AS asind, acosd(x) AS acosd, atand(x) AS atand, degrees(x) AS degrees, radians(x) AS radians FROM (VALUES (-1), (-0.5), (0.25), (0.7), (1)) v(x);
SELECT cot(0) AS cot_zero, sinh(1000) AS sinh_big, cosh(-1000) AS cosh_big;
