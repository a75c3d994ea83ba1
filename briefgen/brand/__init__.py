"""The brand: colours, fonts, logo and legal text that style the note, the charts and the email."""
