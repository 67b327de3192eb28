-: src/writer.h src/rowset.h src/buf.h src/record.h
src/rowset.h:
src/buf.h:
src/record.h:
