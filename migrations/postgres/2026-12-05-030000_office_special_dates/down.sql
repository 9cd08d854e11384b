DROP TABLE office_special_dates;
